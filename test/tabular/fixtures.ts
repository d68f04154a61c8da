// A few Titanic-like rows shared by the tabular tests.
// Kaggle's format: CRLF, a final CRLF, quoted names with commas and doubled quotes, empty = missing.
export const SMALL_CSV = [
  'PassengerId,Survived,Pclass,Name,Sex,Age,Fare,Embarked',
  '1,0,3,"Braund, Mr. Owen Harris",male,22,7.25,S',
  '2,1,1,"Cumings, Mrs. John Bradley (Florence Briggs Thayer)",female,38,71.2833,C',
  '3,1,3,"Johnston, Miss. Catherine Helen ""Carrie""",female,,23.45,S',
  '4,1,1,"Futrelle, Mrs. Jacques Heath",female,35,53.1,',
  '5,0,3,"Allen, Mr. William Henry",male,35,8.05,Q',
  '6,0,2,"Moran, Mr. James",male,,8.4583,S',
].join('\r\n') + '\r\n';
